import { ApiProperty } from '@nestjs/swagger';
import { ASPECTS, type Aspect } from '@clipline/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  Min,
  ValidateNested,
} from 'class-validator';

export class CropKeyframeDto {
  @ApiProperty() @IsNumber() @Min(0) t: number;
  @ApiProperty() @IsNumber() @Min(0) x: number;
  @ApiProperty() @IsNumber() @Min(0) y: number;
  @ApiProperty() @IsNumber() @Min(1) w: number;
  @ApiProperty() @IsNumber() @Min(1) h: number;
}

export class CropSceneDto {
  @ApiProperty() @IsInt() @Min(0) sceneIndex: number;
  @ApiProperty() @IsNumber() @Min(0) start: number;
  @ApiProperty() @IsNumber() @Min(0) end: number;

  @ApiProperty({ type: [CropKeyframeDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CropKeyframeDto)
  keyframes: CropKeyframeDto[];
}

export class CropPlanDto {
  @ApiProperty({ enum: ASPECTS }) @IsIn(ASPECTS) aspect: Aspect;
  @ApiProperty() @IsInt() @Min(1) sourceWidth: number;
  @ApiProperty() @IsInt() @Min(1) sourceHeight: number;

  @ApiProperty({ type: [CropSceneDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CropSceneDto)
  scenes: CropSceneDto[];
}

export class ReplaceCropPlansDto {
  @ApiProperty({ type: [CropPlanDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ASPECTS.length)
  @ValidateNested({ each: true })
  @Type(() => CropPlanDto)
  cropPlans: CropPlanDto[];
}
